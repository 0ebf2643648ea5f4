/**
 * Short, human reasons for `ERR unavailable <reason>` and /readyz, from typed errors. Reasons
 * name members by a short id prefix so a WHO reply stays one short line.
 */
import type { DiscoveryCallError, MissingMember } from './effects.ts';

/** Members named in one reason; the rest are summarised as "+N more". */
const namedMembersMax = 3;
const idCharsShown = 8;

const memberWords: Record<MissingMember['code'], string> = {
  HC_MEMBER_TIMEOUT: 'timeout',
  HC_MEMBER_UNREACHABLE: 'unreachable',
  HC_MEMBER_UNAUTHORIZED: 'token refused',
  HC_MEMBER_WRONG_ID: 'replaced',
  HC_MEMBER_BAD_RESPONSE: 'bad answer',
};

export function describeMissing(missing: readonly MissingMember[]): string {
  const named = missing
    .slice(0, namedMembersMax)
    .map((member) => `${member.serverId.slice(0, idCharsShown)} ${memberWords[member.code]}`);
  const more = missing.length > namedMembersMax ? ` +${missing.length - namedMembersMax} more` : '';
  return `${named.join(', ')}${more}`;
}

export function describeCallError(error: DiscoveryCallError, label: string): string {
  switch (error.code) {
    case 'HC_DISCOVERY_TIMEOUT':
      return `${label}: no answer in ${error.timeoutMs} ms`;
    case 'HC_DISCOVERY_UNREACHABLE':
      return `${label}: unreachable`;
    case 'HC_DISCOVERY_UNAUTHORIZED':
      return `${label}: token refused`;
    case 'HC_DISCOVERY_INCOMPLETE':
      return `${label}: no answer from ${describeMissing(error.missing)}`;
    case 'HC_DISCOVERY_WARMING_UP':
      return `${label}: warming up`;
    case 'HC_DISCOVERY_TOPOLOGY':
      return `${label}: one of ${error.instances} instances, but --discovery has ${error.addressCount} address(es); give every instance's`;
    case 'HC_DISCOVERY_SAME_INSTANCE':
      return `${label}: reaches the same instance as discovery ${error.sameAsIndex}; name each instance once`;
    case 'HC_DISCOVERY_BAD_RESPONSE':
      return `${label}: bad answer`;
  }
}
