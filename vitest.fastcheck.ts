import fc from 'fast-check'

// Every property test of the workspace runs with one seed: fixed in CI (reproducible, printed by the root
// config), random locally unless FC_SEED is set. A failure prints the seed and path to replay it.
const seed = Number(process.env.FC_SEED)
if (Number.isSafeInteger(seed)) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed })
