/**
 * Demo data for the quick start only (KYSO_DEMO=1): three agencies with one API key per role, written to
 * data/demo-credentials.json with mode 0600. Real deployments register agencies through the admin API.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AgencyService } from './agency.service';
import { ROLES } from './models';

export const DEMO_AGENCIES = [
  { organId: '000.00.00.G22', name: 'Văn phòng Chính phủ' },
  { organId: '000.00.00.H49', name: 'Ủy ban nhân dân tỉnh Thử Nghiệm' },
  { organId: '000.00.00.H26', name: 'Ủy ban nhân dân tỉnh Kiểm Tra' },
];

export interface DemoCredentials {
  agencies: Array<{ organId: string; name: string; apiKeys: Record<string, string> }>;
}

export async function seedDemoAgencies(agencies: AgencyService, dataDir: string): Promise<{ file: string; credentials: DemoCredentials }> {
  const file = path.join(dataDir, 'demo-credentials.json');
  const existing = (await agencies.listAgencies()).map((a) => a.organId);
  if (existing.length > 0 && existsSync(file)) {
    return { file, credentials: JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials };
  }
  const credentials: DemoCredentials = { agencies: [] };
  for (const a of DEMO_AGENCIES) {
    if (!existing.includes(a.organId)) await agencies.registerAgency(a);
    const apiKeys: Record<string, string> = {};
    for (const role of ROLES) apiKeys[role] = (await agencies.issueApiKey(a.organId, role)).apiKey;
    credentials.agencies.push({ ...a, apiKeys });
  }
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { file, credentials };
}
