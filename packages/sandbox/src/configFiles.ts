import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from './binaries'
import { PHONE_DTMF_DIGITS, type ResolvedOptions, S3_SETTINGS } from './config'
import type { HubConfig } from './hub'
import { dtmfPcap } from './pcap'
import type { S3Config } from './s3-main'

/** Paths of what `writeConfigFiles` wrote: the processes of the stack are started with them. */
export interface ConfigFiles {
  /** Directory of the processes' logs. */
  logs: string
  /** The phone's (sipp's) working directory. */
  phoneDir: string
  livekitYaml: string
  /** Written only when livekit-sip runs. */
  sipYaml: string
  hubJson: string
  phoneXml: string
  /** sipp's SIP message trace, which the hub tails for the call log. */
  phoneTrace: string
  /** The local S3's config (port, folder, bucket). */
  s3Json: string
  /** Written only when egress runs. */
  egressYaml: string
}

/**
 * Writes the configs of livekit-server, livekit-sip (removed when it does not run), the hub and the phone
 * into the state dir, and clears what a previous stack left there.
 */
export function writeConfigFiles(
  o: ResolvedOptions,
  withSip: boolean,
  withEgress = false,
  sipp?: string,
): ConfigFiles {
  const dir = o.stateDir
  const logs = join(dir, 'logs')
  const phoneDir = join(dir, 'phone')
  const files: ConfigFiles = {
    logs,
    phoneDir,
    livekitYaml: join(dir, 'livekit.yaml'),
    sipYaml: join(dir, 'sip.yaml'),
    hubJson: join(dir, 'hub.json'),
    phoneXml: join(phoneDir, 'phone.xml'),
    phoneTrace: join(logs, 'phone-messages.log'),
    s3Json: join(dir, 's3.json'),
    egressYaml: join(dir, 'egress.yaml'),
  }
  // Per-call sipp files of a previous stack: not needed any more.
  rmSync(join(phoneDir, 'calls'), { recursive: true, force: true })
  mkdirSync(join(phoneDir, 'calls'), { recursive: true })
  const relayUrl = `http://127.0.0.1:${o.ports.hub}/webhook`
  writeFileSync(files.livekitYaml, livekitYaml(o, relayUrl))
  if (withSip) writeFileSync(files.sipYaml, sipYaml(o))
  else rmSync(files.sipYaml, { force: true })
  if (withEgress) writeFileSync(files.egressYaml, egressYaml(o))
  else rmSync(files.egressYaml, { force: true })
  const s3: S3Config = { port: o.ports.s3, directory: join(dir, 's3'), bucket: S3_SETTINGS.bucket }
  writeFileSync(files.s3Json, JSON.stringify(s3, null, 2))
  const hub: HubConfig = {
    httpPort: o.ports.hub,
    rtpPort: o.ports.phoneRtp,
    phoneTrace: files.phoneTrace,
    callsDir: join(phoneDir, 'calls'),
    webhookUrls: o.webhookUrl ? [o.webhookUrl] : [],
    ...(sipp
      ? {
          transfers: {
            phonePort: o.ports.phone,
            sipAddress: withSip ? `127.0.0.1:${o.ports.sip}` : null,
            sipp,
            stateDir: dir,
          },
        }
      : {}),
  }
  writeFileSync(files.hubJson, JSON.stringify(hub, null, 2))
  copyFileSync(join(packageRoot(), 'scenarios', 'phone.xml'), files.phoneXml)
  writeFileSync(join(phoneDir, `dtmf-${PHONE_DTMF_DIGITS}.pcap`), dtmfPcap(PHONE_DTMF_DIGITS))
  rmSync(files.phoneTrace, { force: true })
  return files
}

function livekitYaml(o: ResolvedOptions, relayUrl: string): string {
  const p = o.ports
  return `# Written by @ringline/sandbox. livekit-server parses this strictly: unknown keys fail startup.
port: ${p.livekit}
bind_addresses: ["127.0.0.1"]
keys:
  ${o.apiKey}: ${o.apiSecret}
redis:
  address: 127.0.0.1:${p.redis}
rtc:
  udp_port: ${p.rtcUdp}
  tcp_port: ${p.rtcTcp}
  node_ip: 127.0.0.1
  use_external_ip: false
  enable_loopback_candidate: true
  # Bind the WebRTC UDP port on loopback only (otherwise it binds every interface's address).
  interfaces:
    includes: [lo]
  ips:
    includes: [127.0.0.1/32]
webhook:
  api_key: ${o.apiKey}
  urls: ["${relayUrl}"]
logging:
  level: ${o.logLevel}
`
}

function sipYaml(o: ResolvedOptions): string {
  const p = o.ports
  return `# Written by @ringline/sandbox.
api_key: ${o.apiKey}
api_secret: ${o.apiSecret}
ws_url: ws://127.0.0.1:${p.livekit}
redis:
  address: 127.0.0.1:${p.redis}
sip_port: ${p.sip}
listen_ip: 127.0.0.1
rtp_port: ${p.sipRtpStart}-${p.sipRtpEnd}
# Without this livekit-sip picks the first non-loopback IPv4 (and fails without one).
nat_1_to_1_ip: 127.0.0.1
${p.sipHealth ? `health_port: ${p.sipHealth}\n` : ''}# 1 = never refuse calls for CPU load (the default 0.9 refuses them on a busy 2-core CI machine).
max_cpu_utilization: 1
logging:
  level: ${o.logLevel}
`
}

function egressYaml(o: ResolvedOptions): string {
  const p = o.ports
  return `# Written by @ringline/sandbox. egress talks to livekit-server only through this Redis.
api_key: ${o.apiKey}
api_secret: ${o.apiSecret}
ws_url: ws://127.0.0.1:${p.livekit}
insecure: true
redis:
  address: 127.0.0.1:${p.redis}
health_port: ${p.egressHealth}
template_port: ${p.egressTemplate}
# Small machines (2 cores): the default costs refuse a third concurrent recording ("not enough cpu").
cpu_cost:
  max_cpu_utilization: 0.99
  track_cpu_cost: 0.1
  participant_cpu_cost: 0.1
  track_composite_cpu_cost: 0.1
  audio_room_composite_cpu_cost: 0.1
logging:
  level: ${o.logLevel}
`
}
