// oauth-mcp providers [--json]: the configured and registered providers, without secrets.

import { type Command, EXIT } from './command.js';
import { table } from './terminal.js';

export const providersCommand: Command = {
  usage: 'providers [--json]',
  summary: 'the configured and registered providers',
  options: { json: { type: 'boolean', help: 'as JSON, for scripts' } },
  examples: [
    ['oauth-mcp providers', 'name, issuer, client and kind of each provider'],
    ['oauth-mcp providers --demo', 'the demo providers'],
  ],
  maxPositionals: 0,
  run: async ({ runtime, term, values }) => {
    const providers = await runtime.engine.ctx.registry.describeProviders();
    if (values.json) {
      term.out(JSON.stringify(providers, null, 2));
      return EXIT.ok;
    }
    if (providers.length === 0) {
      term.err(
        'No providers. Add one under "providers" in the config, or set OAUTH_ISSUER and OAUTH_CLIENT_ID.',
      );
      return EXIT.problem;
    }
    term.out(
      table([
        ['NAME', 'ISSUER', 'CLIENT', 'KIND', 'SOURCE'],
        ...providers.map((p) => [
          `${p.name}${p.is_default ? ' (default)' : ''}`,
          p.issuer,
          p.client_id ?? '-',
          p.confidential ? 'confidential' : 'public',
          p.source,
        ]),
      ]),
    );
    return EXIT.ok;
  },
};
