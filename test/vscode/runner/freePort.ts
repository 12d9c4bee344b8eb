import * as net from 'node:net';

/** A loopback TCP port that was free a moment ago (the caller retries if it is taken meanwhile). */
export function findFreeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('could not read the port of a loopback listener'));
        }
      });
    });
  });
}
