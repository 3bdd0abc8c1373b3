import type { ExplorerData } from '../data/format.js';
import { deviceSection } from './device.js';
import { errorsSection } from './errors.js';
import { gelusSection } from './gelus.js';
import { judgeSection } from './judge.js';

async function start(): Promise<void> {
  const status = document.querySelector<HTMLElement>('#load-status')!;
  // relative: the site works from any folder it is served from
  const response = await fetch('./data/explorer.json');
  if (!response.ok) throw new Error(`data/explorer.json: HTTP ${response.status}`);
  const data = (await response.json()) as ExplorerData;
  gelusSection(document.querySelector('#gelus')!, data);
  errorsSection(document.querySelector('#errors')!, data);
  judgeSection(document.querySelector('#judge')!);
  status.textContent = '';
  deviceSection(document.querySelector('#device')!, data);
}

start().catch((e: Error) => {
  document.querySelector('#load-status')!.textContent = `The page could not start: ${e.message}`;
  throw e;
});
