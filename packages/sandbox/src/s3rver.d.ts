// s3rver 3.7.1 ships no types; s3-main.ts describes the part it uses.
declare module 's3rver'
