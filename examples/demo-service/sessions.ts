/** Login sessions. The bug: sessions are remembered on every login and never forgotten. */
export interface Session {
  user: string;
  token: string;
  createdAt: number;
  permissions: string[];
  lastSeen: { path: string; at: number }[];
}

const sessions = new Map<string, Session>();

export function remember(user: string, token: string, path: string): Session {
  const session: Session = {
    user,
    token,
    createdAt: Date.now(),
    permissions: ['read', 'write', `team:${user.length % 7}`],
    lastSeen: [{ path, at: Date.now() }],
  };
  sessions.set(token, session); // never deleted: logout() forgets to call sessions.delete()
  return session;
}

export function logout(token: string): boolean {
  return sessions.has(token);
}

export function activeSessions(): number {
  return sessions.size;
}
