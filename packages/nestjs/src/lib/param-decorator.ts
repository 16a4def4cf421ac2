import type { PipeTransform, Type } from '@nestjs/common';

/**
 * What createParamDecorator returns, spelled out: left to inference, the declarations would name
 * `ParameterDecoratorOptions`, which only NestJS 12 exports (TS2694 on 10 and 11 without skipLibCheck).
 * Pipes work as with @Body(): an instance or a class.
 */
export type WebhookParamDecorator<Data> = (...dataOrPipes: (Data | PipeTransform | Type<PipeTransform>)[]) => ParameterDecorator;
