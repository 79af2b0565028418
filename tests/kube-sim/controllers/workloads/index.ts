/**
 * Workload controllers of kube-controller-manager (kube-sim part 2, item 4). Each module registers
 * itself with `registerController`:
 *   replicaset, deployment, statefulset, daemonset, job, cronjob, horizontal-pod-autoscaler.
 */
import './replicaset';
import './deployment';
import './job';
import './cronjob';
import './statefulset';
import './daemonset';
import './hpa';
