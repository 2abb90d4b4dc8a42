import { connect, createServer, type Socket } from 'node:net'

/** A TCP proxy on 127.0.0.1 in front of `target` whose connections a test can cut, like a network blip. */
export interface TcpProxy {
  /** `ws://127.0.0.1:<port>` when the target was a ws URL: what the browser is given in place of the target. */
  url: string
  /** Connections through the proxy now. */
  open(): number
  /** Cuts every connection and refuses new ones for `ms`, then lets them through again. */
  blip(ms: number): Promise<void>
  close(): Promise<void>
}

/** Starts a proxy to `targetUrl` (ws:// or http://, host and port taken from it) on a free port. */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl)
  const port = Number(target.port || (target.protocol === 'wss:' || target.protocol === 'https:' ? 443 : 80))
  const sockets = new Set<Socket>()
  let refusing = false
  const server = createServer((client) => {
    if (refusing) {
      client.destroy()
      return
    }
    const upstream = connect(port, target.hostname)
    sockets.add(client)
    sockets.add(upstream)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('proxy has no port')
  return {
    url: `${target.protocol}//127.0.0.1:${address.port}`,
    open: () => sockets.size / 2,
    async blip(ms) {
      refusing = true
      for (const socket of sockets) socket.destroy()
      sockets.clear()
      await new Promise((resolve) => setTimeout(resolve, ms))
      refusing = false
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
