/** The product questions the report answers, in the order of the decision table. */
import type { SectionId } from './chart-spec.ts';

export type QuestionId = Exclude<SectionId, 'sim-vs-real'>;

export const questions: Record<QuestionId, string> = {
  ids: 'May a server’s id change when it restarts?',
  cap: 'Consistency or availability: mode A or mode C?',
  ttl: 'What eviction TTL is acceptable?',
  lifetime: 'How long should connections stay open?',
  slo: 'Which availability SLO is realistic?',
  capacity: 'How many concurrent users does one server hold?',
  failover: 'What does Redis high availability (Sentinel failover) buy mode A, and what not?',
  zones:
    'What does each mode answer when a whole zone goes out, and how much headroom must the survivors carry?',
  topology: 'Which discovery topology should mode C deploy?',
  storms:
    'When a server holding many clients crashes, how fast do the survivors absorb them, and which reconnect policy should clients use?',
};
