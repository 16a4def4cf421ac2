import express from 'express';
import { expressSuite } from './suite.js';

expressSuite('Express 5', express);
