// Loopback is an address, or the name localhost: a public name that starts like a loopback address
// (`127.0.0.1.attacker.example`, resolvable by anyone who owns the domain) gets neither plain http nor the
// trust of loopback.

import { describe, expect, it } from 'vitest';
import {
  hostRange,
  isLoopbackHost,
  needsInsecureTransport,
  urlProblem,
} from '../../src/net/outbound-policy.js';

const LOOKALIKES = [
  '127.0.0.1.attacker.example',
  '127.0.0.1.nip.io',
  '127.1.attacker.example',
  'localhost.attacker.example',
];

describe('loopback look-alike names', () => {
  it.each(LOOKALIKES)('does not treat %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
    expect(hostRange(host)).toBeUndefined();
    expect(needsInsecureTransport(new URL(`http://${host}/`))).toBe(false);
  });

  it.each(LOOKALIKES)('refuses plain http to %s, naming https instead', (host) => {
    expect(urlProblem(`http://${host}:8080/cb`)).toBe(
      `http is allowed only on loopback addresses (127.0.0.1, localhost, [::1]); use https://${host}:8080/cb`,
    );
  });

  it.each(['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', '[::1]'])(
    'allows plain http to %s',
    (host) => {
      expect(urlProblem(`http://${host}:8080/cb`)).toBeUndefined();
      expect(needsInsecureTransport(new URL(`http://${host}:8080/cb`))).toBe(true);
    },
  );

  it.each(['128.0.0.1', '10.0.0.1', '::2', '[::ffff:7f00:1]'])(
    'does not treat the address %s as loopback for plain http',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});
