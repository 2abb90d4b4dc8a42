import { SandboxSetupError } from './binaries'
import { PORT_ENV, type SandboxPorts } from './config'
import { canBind, type Proto, portHolder } from './procs'

interface PortNeed {
  port: number
  proto: Proto
  what: string
  key: keyof SandboxPorts
}

function portNeeds(p: SandboxPorts, withSip: boolean, withEgress: boolean): PortNeed[] {
  const needs: PortNeed[] = [
    { port: p.livekit, proto: 'tcp', what: 'livekit-server HTTP/WebSocket', key: 'livekit' },
    { port: p.rtcUdp, proto: 'udp', what: 'livekit-server WebRTC UDP', key: 'rtcUdp' },
    { port: p.redis, proto: 'tcp', what: 'Redis', key: 'redis' },
    { port: p.phone, proto: 'udp', what: 'phone simulator (sipp) SIP', key: 'phone' },
    { port: p.phoneMedia, proto: 'udp', what: 'phone simulator (sipp) media', key: 'phoneMedia' },
    { port: p.phoneMedia + 2, proto: 'udp', what: 'phone simulator (sipp) media + 2', key: 'phoneMedia' },
    { port: p.phoneControl, proto: 'udp', what: 'phone simulator (sipp) control', key: 'phoneControl' },
    { port: p.phoneRtp, proto: 'udp', what: 'phone RTP endpoint (hub)', key: 'phoneRtp' },
    { port: p.hub, proto: 'tcp', what: 'hub (webhook relay)', key: 'hub' },
    { port: p.s3, proto: 'tcp', what: 'local S3 (s3rver)', key: 's3' },
  ]
  if (withEgress)
    needs.push(
      { port: p.egressHealth, proto: 'tcp', what: 'egress health', key: 'egressHealth' },
      { port: p.egressTemplate, proto: 'tcp', what: 'egress template server', key: 'egressTemplate' },
    )
  if (p.rtcTcp) needs.push({ port: p.rtcTcp, proto: 'tcp', what: 'livekit-server WebRTC TCP', key: 'rtcTcp' })
  if (withSip) {
    needs.push(
      { port: p.sip, proto: 'udp', what: 'livekit-sip SIP (UDP)', key: 'sip' },
      { port: p.sip, proto: 'tcp', what: 'livekit-sip SIP (TCP)', key: 'sip' },
    )
    if (p.sipHealth)
      needs.push({ port: p.sipHealth, proto: 'tcp', what: 'livekit-sip health', key: 'sipHealth' })
  }
  return needs
}

/** Throws a `SandboxSetupError` naming every port the stack needs that is taken, who holds it and the fix. */
export async function checkPorts(p: SandboxPorts, withSip: boolean, withEgress = false): Promise<void> {
  const busy: string[] = []
  for (const need of portNeeds(p, withSip, withEgress)) {
    if (await canBind(need.port, need.proto)) continue
    // Also try the wildcard address: livekit-sip binds 0.0.0.0 for RTP and some tools bind *:port.
    const holder = portHolder(need.port, need.proto)
    const who = holder ? `process ${holder.pid} (${holder.command.slice(0, 120)})` : 'another process'
    const fix = holder
      ? `kill ${holder.pid}` +
        (holder.command.includes('.ringline/sandbox') ? ' (or `ringline-sandbox down` in its project)' : '')
      : `ss -lntup | grep :${need.port}`
    busy.push(
      `  ${need.proto.toUpperCase()} 127.0.0.1:${need.port} (${need.what}) is in use by ${who}\n    fix: ${fix}, or pick another port with ${PORT_ENV[need.key]}=<port> (or RINGLINE_SANDBOX_PORT_OFFSET=1000)`,
    )
  }
  let rtpBusy = 0
  if (withSip)
    for (let port = p.sipRtpStart; port <= p.sipRtpEnd; port++)
      if (!(await canBind(port, 'udp', '0.0.0.0'))) rtpBusy++
  if (rtpBusy > (p.sipRtpEnd - p.sipRtpStart + 1) / 2) {
    busy.push(
      `  UDP ${p.sipRtpStart}-${p.sipRtpEnd} (livekit-sip RTP): ${rtpBusy} ports in use\n    fix: ${PORT_ENV.sipRtpStart} / ${PORT_ENV.sipRtpEnd}`,
    )
  }
  if (busy.length > 0) throw new SandboxSetupError(`ports in use:\n${busy.join('\n')}`)
}
