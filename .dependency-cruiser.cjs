/**
 * The floors of the house (CONTRIBUTING.md), as rules `npm run deps` checks on every import,
 * type-only imports included. An arrow A -> B means "A imports B"; a room imports only rooms on
 * lower floors:
 *
 *   floor 6  cli/          composition root (bin/ reaches everything through it)
 *   floor 5  reports/      results in, HTML and PNG out (experiment/result.ts only)
 *   floor 5  deploy/       Kubernetes and systemd generators (the service's own options, shard arithmetic)
 *   floor 4  scenarios/    files, sweeps, expectations; picks an engine in runner/engines.ts
 *   floor 3  sim/  lab/    the two engines, never importing each other
 *   floor 2  experiment/   the contract both engines share
 *   floor 1  impl/         the service
 *
 * test/, bench/ stand outside the house and may import anything.
 */
const above = (floors) => `^(${floors.join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'impl-stands-alone',
      comment: 'The service (floor 1) knows of no experiment, engine, scenario, report or CLI.',
      severity: 'error',
      from: { path: '^impl/' },
      to: { path: above(['experiment', 'sim', 'lab', 'scenarios', 'reports', 'deploy', 'cli', 'bench', 'test']) },
    },
    {
      name: 'experiment-depends-on-impl-only',
      comment: 'The contract (floor 2) imports the service and nothing above it.',
      severity: 'error',
      from: { path: '^experiment/' },
      to: { path: above(['sim', 'lab', 'scenarios', 'reports', 'deploy', 'cli', 'bench', 'test']) },
    },
    {
      name: 'sim-does-not-import-lab',
      comment: 'The two engines stand side by side; what they share lives in experiment/.',
      severity: 'error',
      from: { path: '^sim/' },
      to: { path: '^lab/' },
    },
    {
      name: 'lab-does-not-import-sim',
      comment: 'The two engines stand side by side; what they share lives in experiment/.',
      severity: 'error',
      from: { path: '^lab/' },
      to: { path: '^sim/' },
    },
    {
      name: 'engines-do-not-look-up',
      comment: 'An engine (floor 3) runs a RunSpec; it knows no scenario file, report or CLI.',
      severity: 'error',
      from: { path: '^(sim|lab)/' },
      to: { path: above(['scenarios', 'reports', 'deploy', 'cli', 'bench', 'test']) },
    },
    {
      name: 'scenarios-do-not-look-up',
      comment: 'The scenario runner (floor 4) gets its report builder handed in by the CLI.',
      severity: 'error',
      from: { path: '^scenarios/' },
      to: { path: above(['reports', 'deploy', 'cli', 'bench', 'test']) },
    },
    {
      name: 'scenarios-pick-an-engine-in-one-place',
      comment: 'Only scenarios/runner/engines.ts names an engine (its { sim, real } table).',
      severity: 'error',
      from: { path: '^scenarios/', pathNot: '^scenarios/runner/engines[.]ts$' },
      to: { path: '^(sim|lab)/' },
    },
    {
      name: 'reports-read-results-only',
      comment:
        "The report (floor 5) reads results through experiment/'s result type and nothing else of the house.",
      severity: 'error',
      from: { path: '^reports/' },
      to: {
        path: above(['impl', 'experiment', 'sim', 'lab', 'scenarios', 'deploy', 'cli', 'bench', 'test']),
        pathNot: '^experiment/(result|agreement)[.]ts$',
      },
    },
    {
      name: 'deploy-reads-the-service-not-the-engines',
      comment:
        "The deploy generators (floor 5) read the service's options and the shard arithmetic; no engine, report or CLI.",
      severity: 'error',
      from: { path: '^deploy/' },
      to: { path: above(['sim', 'lab', 'reports', 'cli', 'bench', 'test']) },
    },
    {
      name: 'nothing-imports-the-cli',
      comment: 'cli/ is the top floor: only bin/ (and tests) reach it.',
      severity: 'error',
      from: { pathNot: '^(cli|bin|test)/' },
      to: { path: '^cli/' },
    },
    {
      name: 'bin-goes-through-the-cli',
      comment: 'bin/headcount.js starts cli/main.ts and nothing else of the house.',
      severity: 'error',
      from: { path: '^bin/' },
      to: { path: above(['impl', 'experiment', 'sim', 'lab', 'scenarios', 'reports', 'deploy', 'bench', 'test']) },
    },
    {
      name: 'no-unresolvable-imports',
      comment: 'Every import names a file that exists.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|out|coverage)/' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
