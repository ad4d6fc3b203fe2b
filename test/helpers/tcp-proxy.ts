/**
 * The core tests' TCP proxy: the fault proxy `@webcomm/node/testing` exports to users
 * (drop, black hole, delay, throttle, cut mid-packet, refuse), in front of a local port.
 */
import { startFaultProxy, type FaultProxy } from '@webcomm/node/testing';

export type TcpProxy = FaultProxy;

export function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  return startFaultProxy({ port: targetPort });
}
