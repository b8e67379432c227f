/* core/mtproto: the MTProto 2.0 session layer and both sides of the
 * auth-key handshake. Pure: bytes in, bytes out, time passed in; no sockets,
 * no threads. This is the layer's one public header. */
#ifndef MT_MTPROTO_H
#define MT_MTPROTO_H

#include "core/mtproto/session.h"    /* msg_id/seq_no, envelopes, client & server sessions */
#include "core/mtproto/handshake.h"  /* auth-key creation: client & server FSMs, bind */

#endif
