// Express 4 is installed under the alias `express4` and has no types of its own; the Express 5
// typings describe everything these tests touch.
declare module 'express4' {
  import express = require('express');
  export = express;
}
