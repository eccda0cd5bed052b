// On a plain page the worker cannot be interrupted: a generator's yields are where cancel,
// timeout and urgent tasks reach it, and its worker is kept.
import { expect } from 'chai';
import { describeGenerators } from './generator-cases.js';

it('runs on a page that is not cross-origin isolated', () => {
  expect(crossOriginIsolated).to.equal(false);
});

describeGenerators('generator tasks (plain page)');
