export { createAgentServer } from './agent-server';
export type { AgentOptions } from './agent-server';
export { AGENT_MESSAGES } from './agent-messages';
