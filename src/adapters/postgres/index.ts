export type { FleetOptions } from '../fleet/fleet-options.ts'
export type { PostgresConnectionOptions } from './pg-client.ts'
export { type PostgresCluster, type PostgresClusterOptions, postgresCluster } from './postgres-cluster.ts'
