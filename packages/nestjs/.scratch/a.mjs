import 'reflect-metadata';
import { Module, Controller, Post, Req, Body } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
class C { h(req) { return { ok: true, raw: Buffer.isBuffer(req.rawBody) }; } }
Reflect.decorate([Post('x')], C.prototype, 'h', Object.getOwnPropertyDescriptor(C.prototype, 'h'));
Reflect.decorate([Req()], C.prototype, 'h'); 
const Cd = Reflect.decorate([Controller('w')], C);
// param decorator manually
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
class M {}
const Md = Reflect.decorate([Module({ controllers: [Cd] })], M);
const app = await NestFactory.create(Md, { rawBody: true, logger: ['error','warn'] });
await app.listen(0, '127.0.0.1');
const url = await app.getUrl();
for (const [ct, body] of [['application/json', '{bad'], ['application/json', '{"a":1}'], ['text/plain','hi'], ['application/json', 'x'.repeat(200000)]]) {
  const r = await fetch(url + '/w/x', { method: 'POST', headers: { 'content-type': ct }, body });
  console.log(ct, r.status, r.headers.get('content-type'), (await r.text()).slice(0,200));
}
await app.close();
