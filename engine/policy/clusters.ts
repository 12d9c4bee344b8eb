/**
 * Looking an address up in a machine's RAM clusters, and naming a cluster in
 * a reason.
 */
import { hex } from './cint';
import { MemCluster } from './types';

export function clusterEnd(c: MemCluster): bigint {
  return c.start + c.sizeBytes;
}

export function describeCluster(index: number, c: MemCluster): string {
  return `mem_clusters[${index}] = [${hex(c.start)}, ${hex(clusterEnd(c))})`;
}

export interface ClusterHit {
  index: number;
  cluster: MemCluster;
  /** pa - start */
  delta: bigint;
}

/**
 * x86 check_pa_acc()'s test, `start <= pa && pa - start <= size`: inclusive,
 * so pa == start + size (the first byte past the cluster) is found too.
 */
export function findClusterInclusive(clusters: readonly MemCluster[], pa: bigint): ClusterHit | undefined {
  for (let index = 0; index < clusters.length; index++) {
    const cluster = clusters[index];
    if (cluster.start <= pa && pa - cluster.start <= cluster.sizeBytes) {
      return { index, cluster, delta: pa - cluster.start };
    }
  }
  return undefined;
}

/** Whether pa is really RAM: inside [start, start + size) of some cluster. */
export function isInsideSomeCluster(clusters: readonly MemCluster[], pa: bigint): boolean {
  return clusters.some((c) => c.start <= pa && pa < clusterEnd(c));
}

/** Whether pa lies between clusters: not RAM, but with RAM above it. */
function isInHole(clusters: readonly MemCluster[], pa: bigint): boolean {
  return !isInsideSomeCluster(clusters, pa) && clusters.some((c) => c.start > pa);
}

/** The edge of rules that compare against physmem only, when the address they admit is in a hole. */
export function holeNote(clusters: readonly MemCluster[], pa: bigint): string | undefined {
  return isInHole(clusters, pa) ? `holes ignored: ${hex(pa)} lies between RAM clusters, but this rule never looks at clusters` : undefined;
}

/** The edge of rules that compare against physmem only, when the address they refuse is RAM. */
export function countedRamNote(clusters: readonly MemCluster[], pa: bigint): string | undefined {
  const index = clusters.findIndex((c) => c.start <= pa && pa < clusterEnd(c));
  if (index < 0) return undefined;
  return (
    `${hex(pa)} is RAM (${describeCluster(index, clusters[index])}) yet beyond physmem: physmem counts pages, ` +
    `not the highest address, so holes below pull the bound under the end of RAM`
  );
}
