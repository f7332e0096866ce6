import { Etcd3 } from 'etcd3'
import { clusterScenarios } from '../../support/cluster/scenarios.ts'
import { startEtcd } from '../../support/etcd-server.ts'
import { describeEtcd } from './describe-etcd.ts'

// Three stores in this process and one in a child process, all on one etcd and one prefix.
describeEtcd('etcd cluster', () => {
  clusterScenarios('etcd', async () => {
    const etcd = await startEtcd()
    const client = new Etcd3({ hosts: etcd.endpoint })
    return {
      endpoint: etcd.endpoint,
      stop: () => etcd.stop(),
      start: () => etcd.start(),
      async close() {
        client.close()
        await etcd.close()
      },
      storedCounter: (prefix) => client.get(`${prefix}/overrides/counter`).number() as Promise<number>,
      async storedVersion(prefix, path) {
        const { kvs } = await client.get(`${prefix}/overrides/${path}`).exec()
        return kvs[0]!.mod_revision
      },
    }
  })
})
