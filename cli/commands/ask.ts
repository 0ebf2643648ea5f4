/** `headcount ask`: send verbs to a server and print its replies, or talk to it at a prompt. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('ask')
    .description(
      'Send VERBs (WHO, WHERE, WHY, INFO, HELP, QUIT) to a server and print one reply per line; with none, an interactive prompt (history with Up/Down; lines from a pipe work too).',
    )
    .argument('[verbs...]', 'verbs to send, in order; none = read lines from stdin')
    .option('--host <host>', 'server address', '127.0.0.1')
    .option('--port <n>', 'server client port', '7000')
    .option('--timeout-ms <ms>', 'connect, and each reply owed, within this long; 0 = wait forever', '5000')
    .addHelpText(
      'after',
      '\nExit codes: 0 every reply came; 1 refused, dropped or timed out (one line on stderr); 2 bad usage.\n\nExamples:\n  headcount ask WHY WHERE WHO\n  headcount ask --port 7011 WHO\n  printf "WHO\\nINFO\\n" | headcount ask',
    )
    .action(async (verbs: string[], flags: Record<string, unknown>) => {
      const { runAskCommand } = await import('../ask.ts');
      await runAskCommand(verbs, flags);
    });
}
