// Koa 2 is installed under the alias `koa2` and ships no types; its API here is the one of @types/koa.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
