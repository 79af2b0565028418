import { describe, expect, it } from 'vitest';
import { withRedactedUrls } from '../../api/server';

describe('request logs', () => {
  it('never carry the token parameters of a URL', () => {
    const logger = withRedactedUrls({ level: 'info' }) as { level: string; serializers: { req: (r: object) => { url: string } } };
    expect(logger.level).toBe('info');
    const url = '/containers/sim/a-dev/web/exec?container=app&csrf=s3cret-csrf&cols=80&token=t0k&access_token=a1';
    const logged = logger.serializers.req({ method: 'GET', url, hostname: 'bosun', ip: '127.0.0.1' });
    expect(logged.url).toBe('/containers/sim/a-dev/web/exec?container=app&csrf=[redacted]&cols=80&token=[redacted]&access_token=[redacted]');
    expect(withRedactedUrls(false)).toBe(false);
  });
});
