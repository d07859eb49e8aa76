// Forward proxies on 127.0.0.1 for tests, as corporate networks run them: a CONNECT proxy (tunnels, the
// way every https request goes through a proxy) and a plain HTTP proxy (absolute-form requests only; it
// refuses CONNECT). Both resolve names themselves (every `*.test` name is 127.0.0.1 here, nothing else
// is reachable) and record everything they carry, so a test can assert that no credential reached them.

import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

export interface ProxyRecord {
  /** CONNECT requests: the target as asked (host:port) and the headers the proxy received with it. */
  tunnels: { target: string; headers: IncomingHttpHeaders }[];
  /** Absolute-form requests (plain HTTP proxying): the URL and headers. */
  requests: { url: string; headers: IncomingHttpHeaders }[];
  /** TCP connections accepted. */
  connections: number;
  /** Every byte carried in either direction through the tunnels. */
  carried(): Buffer;
}

export interface ForwardProxy extends ProxyRecord {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The proxy's own name resolution: only `.test` names, all on loopback (no test resolves a public name). */
function resolveName(host: string): string | undefined {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  return name.endsWith('.test') ? '127.0.0.1' : undefined;
}

/** `requireAuth`: the Proxy-Authorization value the proxy wants; without it a tunnel is refused with 407. */
export async function startForwardProxy(
  mode: 'connect' | 'plain',
  options: { requireAuth?: string } = {},
): Promise<ForwardProxy> {
  const chunks: Buffer[] = [];
  const record: ProxyRecord = {
    tunnels: [],
    requests: [],
    connections: 0,
    carried: () => Buffer.concat(chunks),
  };
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    record.requests.push({ url: req.url ?? '', headers: req.headers });
    const target = new URL(req.url ?? '/', 'http://invalid');
    const address = resolveName(target.hostname);
    if (mode !== 'plain' || !address) {
      res.writeHead(502).end();
      return;
    }
    const upstream = httpRequest(
      {
        host: address,
        port: target.port || 80,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    record.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    record.tunnels.push({ target, headers: req.headers });
    const [, host = '', port = ''] = target.match(/^(.*):(\d+)$/) ?? [];
    const address = resolveName(host);
    if (options.requireAuth && req.headers['proxy-authorization'] !== options.requireAuth) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\n\r\n',
      );
      return;
    }
    if (mode !== 'connect' || !address) {
      client.end(`HTTP/1.1 ${mode === 'connect' ? '502 Bad Gateway' : '405 Method Not Allowed'}\r\n\r\n`);
      return;
    }
    const upstream = connect(Number(port), address, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.on('data', (data: Buffer) => chunks.push(data));
      upstream.on('data', (data: Buffer) => chunks.push(data));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(record, {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}
