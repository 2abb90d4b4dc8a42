import { build } from 'esbuild'
const r = await build({ stdin:{contents:process.argv[2], resolveDir:process.cwd(), loader:'js'}, bundle:true, minify:true, write:false, metafile:true, format:'esm', platform:'browser', external:['react','react-dom','react/jsx-runtime','livekit-client','@twilio/voice-sdk'], logLevel:'silent', conditions: process.env.SRC ? ['@ringline/source'] : [], define:{'process.env.NODE_ENV':'"production"'}})
const o = Object.values(r.metafile.outputs)[0]
const agg = {}
for (const [k,v] of Object.entries(o.inputs)) { const m = k.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)/); const key = m ? m[1] + (process.argv[3]? '/'+m[2]:'') : k; agg[key]=(agg[key]||0)+v.bytesInOutput }
console.log(Object.entries(agg).sort((a,b)=>b[1]-a[1]).slice(0,+(process.argv[4]||25)).map(([k,v])=>`${(v/1024).toFixed(1).padStart(8)} ${k}`).join('\n'))
