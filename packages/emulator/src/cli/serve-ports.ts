/**
 * The ports `webcomm serve` listens on unless told otherwise: fixed and documented, so the quick
 * starts' `http://127.0.0.1:8080` is right. (`startEmulator()` defaults to 0, any free port.)
 */
export const SERVE_PORTS = { 'http-port': 8080, 'https-port': 8443, 'mqtts-port': 8883, 'mqtt-port': 1883 } as const;
