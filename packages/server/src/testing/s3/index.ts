// An in-process S3-compatible server with SigV4 verification, for tests and demos.
export type { S3Fake, S3FakeObject, S3FakeOptions, S3FakeRequestLog } from './s3Fake'
export { startS3Fake } from './s3Fake'
