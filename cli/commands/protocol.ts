/** `headcount protocol`: prints the protocol document generated from the core's verb table. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('protocol')
    .description(
      'Print the line protocol as Markdown, generated from the verb table in impl/core/protocol.ts.',
    )
    .action(async () => {
      const { protocolMarkdown } = await import('../../impl/core/protocol.ts');
      process.stdout.write(protocolMarkdown());
    });
}
