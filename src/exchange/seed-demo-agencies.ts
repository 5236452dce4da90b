/**
 * Demo data for the quick start only (KYSO_DEMO=1): three agencies with one API key per role and one person
 * per role, written to data/demo-credentials.json with mode 0600. Real deployments register agencies
 * through the operator's API and create people on the admin screen.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AgencyService } from './agency.service';
import { ROLES } from './models';

export const DEMO_AGENCIES = [
  { organId: '000.00.00.G22', name: 'Văn phòng Chính phủ', short: 'vpcp' },
  { organId: '000.00.00.H49', name: 'Ủy ban nhân dân tỉnh Thử Nghiệm', short: 'h49' },
  { organId: '000.00.00.H26', name: 'Ủy ban nhân dân tỉnh Kiểm Tra', short: 'h26' },
];

/** People of each demo agency: a name per role (the username is `<role>.<agency>`). */
const DEMO_PEOPLE: Record<string, string> = {
  signer: 'Nguyễn Văn An', clerk: 'Trần Thị Bình', receiver: 'Lê Văn Cường', archivist: 'Phạm Thị Dung', admin: 'Hoàng Văn Em',
};

export interface DemoCredentials {
  agencies: Array<{ organId: string; name: string; apiKeys: Record<string, string> }>;
  users: Array<{ username: string; password: string; role: string; organId: string }>;
}

/** Creates a person and returns the password it was given. */
export type CreateDemoUser = (input: { username: string; organId: string; role: string; fullName: string }) => Promise<string>;

export async function seedDemoAgencies(agencies: AgencyService, dataDir: string, createUser: CreateDemoUser): Promise<{ file: string; credentials: DemoCredentials }> {
  const file = path.join(dataDir, 'demo-credentials.json');
  const existing = (await agencies.listAgencies()).map((a) => a.organId);
  if (existing.length > 0 && existsSync(file)) {
    const credentials = JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
    if (Array.isArray(credentials.users)) return { file, credentials };
  }
  const credentials: DemoCredentials = { agencies: [], users: [] };
  for (const a of DEMO_AGENCIES) {
    if (!existing.includes(a.organId)) await agencies.registerAgency({ organId: a.organId, name: a.name });
    const apiKeys: Record<string, string> = {};
    for (const role of ROLES) apiKeys[role] = (await agencies.issueApiKey(a.organId, role)).apiKey;
    credentials.agencies.push({ organId: a.organId, name: a.name, apiKeys });
    for (const role of ROLES) {
      const username = `${role === 'signer' ? 'lanhdao' : role === 'clerk' ? 'vanthu' : role === 'receiver' ? 'tiepnhan' : role === 'archivist' ? 'luutru' : 'quantri'}.${a.short}`;
      const password = await createUser({ username, organId: a.organId, role, fullName: DEMO_PEOPLE[role] });
      credentials.users.push({ username, password, role, organId: a.organId });
    }
  }
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { file, credentials };
}
