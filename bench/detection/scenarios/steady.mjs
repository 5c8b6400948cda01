// Healthy: the traffic alone, nothing kept.
import { serveTraffic } from './service.mjs';

serveTraffic();
