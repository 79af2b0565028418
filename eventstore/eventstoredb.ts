export async function openEventStoreDB(url: string): Promise<any> { throw new Error("todo " + url); }
