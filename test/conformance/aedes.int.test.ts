/**
 * The conformance suite on aedes (TCP and WebSocket listeners), whose authorize hooks close the
 * link on a forbidden SUBSCRIBE or PUBLISH, as IoT Core does on MQTT 3.1.1.
 */
import { startBroker } from '../helpers/broker.js';
import { conformanceSuite } from './conformance-suite.js';

conformanceSuite('aedes', async () => {
  const broker = await startBroker({
    webSocket: true,
    authorizeSubscribe: (_client, subscription, done) =>
      subscription.topic.startsWith('forbidden/')
        ? done(new Error('not allowed by policy'), null)
        : done(null, subscription),
    authorizePublish: (_client, packet, done) =>
      done(packet.topic.startsWith('forbidden/') ? new Error('not allowed by policy') : null),
  });
  return {
    tcpPort: broker.port,
    wsPort: broker.wsPort as number,
    refusesSubscribeBy: 'close',
    refusesPublishBy: 'close',
    restart: () => broker.restart(),
    stop: () => broker.stop(),
  };
});
