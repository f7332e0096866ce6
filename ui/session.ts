/** Who the token is (`GET /session`). */
export interface Session {
  readonly name: string
  readonly role: 'read' | 'write' | 'admin'
}
