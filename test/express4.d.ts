// Express 4 is installed under the alias `express4`; its typings are Express 5's shape-compatible subset.
declare module 'express4' {
  import express from 'express';
  export default express;
}
