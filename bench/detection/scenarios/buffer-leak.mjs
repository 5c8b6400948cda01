// An off-heap leak: uploaded images kept as Buffers in a list nobody empties. The bytes are
// outside the JS heap (process `external` and `arrayBuffers`); only the small Buffer objects are on it.
import { serveTraffic } from './service.mjs';

const thumbnails = [];

function keepThumbnail(request) {
  thumbnails.push(Buffer.alloc(16 * 1024, request.id & 0xff));
}

serveTraffic({
  middleware(request) {
    if (request.id % 128 === 0) keepThumbnail(request);
  },
});
