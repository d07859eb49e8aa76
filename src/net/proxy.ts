// Which proxy an outbound request goes through: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (lower case first, as
// curl and undici read them), read once. Loopback never goes through a proxy: the proxy's loopback is not
// ours, and plain http (allowed only to loopback) then never leaves this machine.

import { pinSecret } from '../secrets/index.js';
import { hostRange } from './outbound-policy.js';

/** The proxy for one scheme: its URL as set, or why the variable cannot be used. */
export interface ProxyChoice {
  /** The environment variable it came from, for messages. */
  variable: string;
  url?: URL;
  problem?: string;
}

export interface ProxySettings {
  'https:'?: ProxyChoice;
  'http:'?: ProxyChoice;
  /** NO_PROXY entries: a host (and its subdomains), optionally with a port; `*` is every host. */
  noProxy: { host: string; port?: number }[];
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** A proxy variable's value as a URL: `host:port` alone means http://host:port, as curl reads it. */
function proxyChoice(variable: string, value: string): ProxyChoice {
  const text = value.includes('://') ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { variable, problem: `${variable} is not a URL; set it to the proxy as http://host:port` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      variable,
      problem: `${variable} names a ${url.protocol.slice(0, -1)} proxy; oauth-mcp uses http:// and https:// proxies`,
    };
  }
  // The proxy's own credentials (the only ones it ever gets) are a secret like any other, in both spellings.
  pinSecret(url.password);
  pinSecret(safeDecode(url.password));
  return { variable, url };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function readVariable(env: NodeJS.ProcessEnv, name: string): ProxyChoice | undefined {
  const lower = name.toLowerCase();
  const [variable, value] = env[lower] ? [lower, env[lower]] : [name, env[name]];
  return value?.trim() ? proxyChoice(variable, value.trim()) : undefined;
}

export function proxySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  const http = readVariable(env, 'HTTP_PROXY');
  const https = readVariable(env, 'HTTPS_PROXY') ?? http;
  const noProxy = (env.no_proxy ?? env.NO_PROXY ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      // `host:port`, `[v6]:port`, or a host alone (a bare IPv6 address has colons but no port).
      const [, host = entry, port] =
        entry.match(/^\[([^\]]+)\](?::(\d+))?$/) ?? entry.match(/^([^:]+):(\d+)$/) ?? [];
      return { host: host.toLowerCase().replace(/^\*?\./, ''), ...(port ? { port: Number(port) } : {}) };
    });
  return { ...(https ? { 'https:': https } : {}), ...(http ? { 'http:': http } : {}), noProxy };
}

/** The proxy `url` goes through, or undefined for a direct connection. */
export function proxyFor(url: URL, settings: ProxySettings): ProxyChoice | undefined {
  const choice = settings[url.protocol as 'http:' | 'https:'];
  if (!choice) return undefined;
  if (hostRange(url.hostname) === 'loopback') return undefined;
  const host = url.hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '');
  const port = Number(url.port) || DEFAULT_PORTS[url.protocol];
  const bypassed = settings.noProxy.some(
    (entry) =>
      entry.host === '*' ||
      ((entry.port === undefined || entry.port === port) &&
        (host === entry.host || host.endsWith(`.${entry.host}`))),
  );
  return bypassed ? undefined : choice;
}

/** The proxy as messages and logs may show it: scheme, host and port, never its credentials. */
export function proxyLabel(choice: ProxyChoice): string {
  return choice.url ? `${choice.url.protocol}//${choice.url.host} (${choice.variable})` : choice.variable;
}
