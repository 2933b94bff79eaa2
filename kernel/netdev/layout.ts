// The netdev device memory: one SharedArrayBuffer between the host backend (the hypervisor side,
// compartments/host/devices/netdev-backend.ts) and the guest driver (FlexOS uknetdev, kernel/netdev/device.ts).
// Constants and the offsets they imply; the behaviour lives in the two sides. Who writes what:
//
//   header (i32 word index)
//     MAGIC             0   host   NETDEV_MAGIC once the whole device is formatted
//     VERSION           1   host   NETDEV_VERSION
//     MAX_CONNECTIONS   2   host   number of connection slots
//     RING_BYTES        3   host   capacity of every rx and tx ring
//     STATUS            4   host   NETDEV_STATUS_RUNNING, then NETDEV_STATUS_STOPPED at close()
//     GUEST_DOORBELL   16   host   +1 and notify when events, rx bytes or tx space arrive; the guest Atomics.waits on it
//     HOST_DOORBELL    32   guest  +1 after it consumed rx, produced tx or posted a request (kick); the host waitAsyncs on it
//     HOST_ARMED       33   host   1 while the host is parked on HOST_DOORBELL: a kick notifies only then
//   event queue     RecordRing, host -> guest: (NETDEV_EVENT_*, conn)
//   request queue   RecordRing, guest -> host: (NETDEV_REQUEST_*, conn)
//   slot i (i32 words of the slot header, then two ByteRings)
//     STATE        0   host   NETDEV_SLOT_*
//     GENERATION   1   host   bumped each time the slot takes a new connection (1..NETDEV_MAX_GENERATION)
//     rx ring          host produces (socket bytes), guest consumes
//     tx ring          guest produces, host consumes (socket.write)
// A conn id is generation << 16 | slot: a reused slot never answers to the old connection's id.
// A slot goes back to FREE only after the guest's CLOSE: until then the guest may touch its rings.

import { ByteRing, RecordRing } from '../../shm/ring.js';

export const NETDEV_MAGIC = 0x4e444556; // 'NDEV'
export const NETDEV_VERSION = 1;

export const W_MAGIC = 0;
export const W_VERSION = 1;
export const W_MAX_CONNECTIONS = 2;
export const W_RING_BYTES = 3;
export const W_STATUS = 4;
export const W_GUEST_DOORBELL = 16;
export const W_HOST_DOORBELL = 32;
export const W_HOST_ARMED = 33;
export const HEADER_BYTES = 256;

export const NETDEV_STATUS_RUNNING = 1;
export const NETDEV_STATUS_STOPPED = 2;

export const NETDEV_EVENT_OPEN = 1;
export const NETDEV_EVENT_PEER_CLOSED = 2; // FIN: every rx byte of the connection is already in its ring
export const NETDEV_EVENT_RESET = 3;

export const NETDEV_REQUEST_CLOSE = 1; // flush tx, FIN, forget the slot
export const NETDEV_REQUEST_SHUTDOWN_WR = 2; // flush tx, FIN, keep receiving

export const NETDEV_SLOT_FREE = 0;
export const NETDEV_SLOT_OPEN = 1;
export const NETDEV_SLOT_PEER_CLOSED = 2;
export const NETDEV_SLOT_RESET = 3;

export const SLOT_W_STATE = 0;
export const SLOT_W_GENERATION = 1;
export const NETDEV_SLOT_HEADER_BYTES = 64;

export const NETDEV_DEFAULT_MAX_CONNECTIONS = 128;
export const NETDEV_DEFAULT_RING_BYTES = 64 * 1024;
export const NETDEV_MAX_CONNECTIONS = 4096;
export const NETDEV_MIN_RING_BYTES = 64;
export const NETDEV_MAX_RING_BYTES = 16 * 1024 * 1024;
export const NETDEV_MAX_GENERATION = 0x7fff;

export function netdevConnId(slot: number, generation: number): number {
  return (generation << 16) | slot;
}
export function netdevConnSlot(conn: number): number {
  return conn & 0xffff;
}
export function netdevConnGeneration(conn: number): number {
  return conn >>> 16;
}

export interface NetdevLayout {
  maxConnections: number;
  ringBytes: number;
  eventsOffset: number;
  eventRecords: number;
  requestsOffset: number;
  requestRecords: number;
  slotsOffset: number;
  slotStride: number;
  totalBytes: number;
}

const align64 = (n: number): number => (n + 63) & ~63;
const pow2AtLeast = (n: number): number => 2 ** Math.ceil(Math.log2(n));

/** Offsets for a device of this size; both sides compute them from the two header words. */
export function netdevLayout(maxConnections: number, ringBytes: number): NetdevLayout {
  // A slot generation posts at most OPEN, PEER_CLOSED and RESET, and the guest at most
  // SHUTDOWN_WR and CLOSE per slot before the slot can be reused; the host keeps any overflow.
  const eventRecords = pow2AtLeast(Math.max(16, 4 * maxConnections));
  const requestRecords = pow2AtLeast(Math.max(16, 2 * maxConnections));
  const eventsOffset = HEADER_BYTES;
  const requestsOffset = align64(eventsOffset + RecordRing.bytesFor(eventRecords));
  const slotsOffset = align64(requestsOffset + RecordRing.bytesFor(requestRecords));
  const slotStride = align64(NETDEV_SLOT_HEADER_BYTES + 2 * ByteRing.bytesFor(ringBytes));
  return {
    maxConnections,
    ringBytes,
    eventsOffset,
    eventRecords,
    requestsOffset,
    requestRecords,
    slotsOffset,
    slotStride,
    totalBytes: slotsOffset + maxConnections * slotStride,
  };
}

export function slotOffset(layout: NetdevLayout, slot: number): number {
  return layout.slotsOffset + slot * layout.slotStride;
}
export function rxRingOffset(layout: NetdevLayout, slot: number): number {
  return slotOffset(layout, slot) + NETDEV_SLOT_HEADER_BYTES;
}
export function txRingOffset(layout: NetdevLayout, slot: number): number {
  return rxRingOffset(layout, slot) + ByteRing.bytesFor(layout.ringBytes);
}
