/**
 * The conformance suite on Debian's mosquitto (`/usr/sbin/mosquitto`, TCP and WebSocket
 * listeners: it will not start with a WebSocket listener alone). Its ACL file grants `conf/#`
 * only; mosquitto 2.0.11 grants a SUBSCRIBE outside it (SUBACK 0, checked: on MQTT 3.1.1 and 5)
 * and delivers nothing to it, and acknowledges a QoS 1 PUBLISH outside it and drops it.
 */
import { startMosquitto } from '../helpers/mosquitto.js';
import { conformanceSuite } from './conformance-suite.js';

conformanceSuite('mosquitto', async () => {
  const broker = await startMosquitto({ webSocket: true, acl: 'topic readwrite conf/#' });
  return {
    tcpPort: broker.port,
    wsPort: broker.wsPort as number,
    refusesSubscribeBy: 'silent-drop',
    refusesPublishBy: 'silent-drop',
    restart: () => broker.restart(),
    stop: () => broker.stop(),
  };
});
