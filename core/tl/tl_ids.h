/* core/tl: constructor ids the session layer and the reference server use
 * on the hot path, where the dynamic codec is never involved. Every value is
 * copied from the #id written in the shipped schemas (core/tl/schema/ files),
 * never recomputed: the CRC32 rule has exceptions. A unit test
 * (harness/unit/tl/test_ids.c) checks each constant against the loaded schema
 * through MT_TL_ID_LIST. Included from core/tl/mt_tl.h. */
#ifndef MT_TL_IDS_H
#define MT_TL_IDS_H


/* mtproto.tl */
#define MT_TL_ID_RES_PQ                     0x05162463u /* resPQ */
#define MT_TL_ID_P_Q_INNER_DATA_DC          0xa9f55f95u /* p_q_inner_data_dc */
#define MT_TL_ID_P_Q_INNER_DATA_TEMP_DC     0x56fddf88u /* p_q_inner_data_temp_dc */
#define MT_TL_ID_SERVER_DH_PARAMS_OK        0xd0e8075cu /* server_DH_params_ok */
#define MT_TL_ID_SERVER_DH_INNER_DATA       0xb5890dbau /* server_DH_inner_data */
#define MT_TL_ID_CLIENT_DH_INNER_DATA       0x6643b654u /* client_DH_inner_data */
#define MT_TL_ID_DH_GEN_OK                  0x3bcbf734u /* dh_gen_ok */
#define MT_TL_ID_DH_GEN_RETRY               0x46dc1fb9u /* dh_gen_retry */
#define MT_TL_ID_DH_GEN_FAIL                0xa69dae02u /* dh_gen_fail */
#define MT_TL_ID_BIND_AUTH_KEY_INNER        0x75a3f765u /* bind_auth_key_inner */
#define MT_TL_ID_RPC_RESULT                 0xf35c6d01u /* rpc_result */
#define MT_TL_ID_RPC_ERROR                  0x2144ca19u /* rpc_error */
#define MT_TL_ID_RPC_ANSWER_UNKNOWN         0x5e2ad36eu /* rpc_answer_unknown */
#define MT_TL_ID_RPC_ANSWER_DROPPED_RUNNING 0xcd78e586u /* rpc_answer_dropped_running */
#define MT_TL_ID_RPC_ANSWER_DROPPED         0xa43ad8b7u /* rpc_answer_dropped */
#define MT_TL_ID_FUTURE_SALT                0x0949d9dcu /* future_salt */
#define MT_TL_ID_FUTURE_SALTS               0xae500895u /* future_salts */
#define MT_TL_ID_PONG                       0x347773c5u /* pong */
#define MT_TL_ID_DESTROY_SESSION_OK         0xe22045fcu /* destroy_session_ok */
#define MT_TL_ID_DESTROY_SESSION_NONE       0x62d350c9u /* destroy_session_none */
#define MT_TL_ID_NEW_SESSION_CREATED        0x9ec20908u /* new_session_created */
#define MT_TL_ID_MSG_CONTAINER              0x73f1f8dcu /* msg_container */
#define MT_TL_ID_MSG_COPY                   0xe06046b2u /* msg_copy */
#define MT_TL_ID_GZIP_PACKED                0x3072cfa1u /* gzip_packed */
#define MT_TL_ID_MSGS_ACK                   0x62d6b459u /* msgs_ack */
#define MT_TL_ID_BAD_MSG_NOTIFICATION       0xa7eff811u /* bad_msg_notification */
#define MT_TL_ID_BAD_SERVER_SALT            0xedab447bu /* bad_server_salt */
#define MT_TL_ID_MSG_RESEND_REQ             0x7d861a08u /* msg_resend_req */
#define MT_TL_ID_MSGS_STATE_REQ             0xda69fb52u /* msgs_state_req */
#define MT_TL_ID_MSGS_STATE_INFO            0x04deb57du /* msgs_state_info */
#define MT_TL_ID_MSGS_ALL_INFO              0x8cc0d131u /* msgs_all_info */
#define MT_TL_ID_MSG_DETAILED_INFO          0x276d3ec6u /* msg_detailed_info */
#define MT_TL_ID_MSG_NEW_DETAILED_INFO      0x809db6dfu /* msg_new_detailed_info */
#define MT_TL_ID_DESTROY_AUTH_KEY_OK        0xf660e1d4u /* destroy_auth_key_ok */
#define MT_TL_ID_DESTROY_AUTH_KEY_NONE      0x0a9f2259u /* destroy_auth_key_none */
#define MT_TL_ID_DESTROY_AUTH_KEY_FAIL      0xea109b13u /* destroy_auth_key_fail */
#define MT_TL_ID_HTTP_WAIT                  0x9299359fu /* http_wait */
#define MT_TL_ID_REQ_PQ_MULTI               0xbe7e8ef1u /* req_pq_multi */
#define MT_TL_ID_REQ_DH_PARAMS              0xd712e4beu /* req_DH_params */
#define MT_TL_ID_SET_CLIENT_DH_PARAMS       0xf5045f1fu /* set_client_DH_params */
#define MT_TL_ID_RPC_DROP_ANSWER            0x58e4a740u /* rpc_drop_answer */
#define MT_TL_ID_GET_FUTURE_SALTS           0xb921bd04u /* get_future_salts */
#define MT_TL_ID_PING                       0x7abe77ecu /* ping */
#define MT_TL_ID_PING_DELAY_DISCONNECT      0xf3427b8cu /* ping_delay_disconnect */
#define MT_TL_ID_DESTROY_SESSION            0xe7512126u /* destroy_session */
#define MT_TL_ID_DESTROY_AUTH_KEY           0xd1435160u /* destroy_auth_key */
#define MT_TL_ID_P_Q_INNER_DATA             0x83c95aecu /* p_q_inner_data */
#define MT_TL_ID_P_Q_INNER_DATA_TEMP        0x3c6a84d4u /* p_q_inner_data_temp */
#define MT_TL_ID_SERVER_DH_PARAMS_FAIL      0x79cb045du /* server_DH_params_fail */
#define MT_TL_ID_REQ_PQ                     0x60469778u /* req_pq */

/* api.tl */
#define MT_TL_ID_TRUE                       0x3fedd339u /* true */
#define MT_TL_ID_BOOL_FALSE                 0xbc799737u /* boolFalse */
#define MT_TL_ID_BOOL_TRUE                  0x997275b5u /* boolTrue */
#define MT_TL_ID_ERROR                      0xc4b9f9bbu /* error */
#define MT_TL_ID_NEAREST_DC                 0x8e1a1775u /* nearestDc */
#define MT_TL_ID_INVOKE_AFTER_MSG           0xcb9f372du /* invokeAfterMsg */
#define MT_TL_ID_INIT_CONNECTION            0xc1cd5ea9u /* initConnection */
#define MT_TL_ID_INVOKE_WITH_LAYER          0xda9b0d0du /* invokeWithLayer */
#define MT_TL_ID_INVOKE_WITHOUT_UPDATES     0xbf9459b7u /* invokeWithoutUpdates */
#define MT_TL_ID_HELP_GET_NEAREST_DC        0x1fb33026u /* help.getNearestDc */

/* mtload.tl */
#define MT_TL_ID_MTLOAD_ECHO_RESULT         0x8da6d80du /* mtload.echoResult */
#define MT_TL_ID_MTLOAD_ECHO                0xdd1b02b0u /* mtload.echo */
#define MT_TL_ID_MTLOAD_ECHO_SIZED          0xb6e3360du /* mtload.echoSized */

/* X(constant, "schema name") for every constant above. */
#define MT_TL_ID_LIST(X) \
    X(MT_TL_ID_RES_PQ, "resPQ") \
    X(MT_TL_ID_P_Q_INNER_DATA_DC, "p_q_inner_data_dc") \
    X(MT_TL_ID_P_Q_INNER_DATA_TEMP_DC, "p_q_inner_data_temp_dc") \
    X(MT_TL_ID_SERVER_DH_PARAMS_OK, "server_DH_params_ok") \
    X(MT_TL_ID_SERVER_DH_INNER_DATA, "server_DH_inner_data") \
    X(MT_TL_ID_CLIENT_DH_INNER_DATA, "client_DH_inner_data") \
    X(MT_TL_ID_DH_GEN_OK, "dh_gen_ok") \
    X(MT_TL_ID_DH_GEN_RETRY, "dh_gen_retry") \
    X(MT_TL_ID_DH_GEN_FAIL, "dh_gen_fail") \
    X(MT_TL_ID_BIND_AUTH_KEY_INNER, "bind_auth_key_inner") \
    X(MT_TL_ID_RPC_RESULT, "rpc_result") \
    X(MT_TL_ID_RPC_ERROR, "rpc_error") \
    X(MT_TL_ID_RPC_ANSWER_UNKNOWN, "rpc_answer_unknown") \
    X(MT_TL_ID_RPC_ANSWER_DROPPED_RUNNING, "rpc_answer_dropped_running") \
    X(MT_TL_ID_RPC_ANSWER_DROPPED, "rpc_answer_dropped") \
    X(MT_TL_ID_FUTURE_SALT, "future_salt") \
    X(MT_TL_ID_FUTURE_SALTS, "future_salts") \
    X(MT_TL_ID_PONG, "pong") \
    X(MT_TL_ID_DESTROY_SESSION_OK, "destroy_session_ok") \
    X(MT_TL_ID_DESTROY_SESSION_NONE, "destroy_session_none") \
    X(MT_TL_ID_NEW_SESSION_CREATED, "new_session_created") \
    X(MT_TL_ID_MSG_CONTAINER, "msg_container") \
    X(MT_TL_ID_MSG_COPY, "msg_copy") \
    X(MT_TL_ID_GZIP_PACKED, "gzip_packed") \
    X(MT_TL_ID_MSGS_ACK, "msgs_ack") \
    X(MT_TL_ID_BAD_MSG_NOTIFICATION, "bad_msg_notification") \
    X(MT_TL_ID_BAD_SERVER_SALT, "bad_server_salt") \
    X(MT_TL_ID_MSG_RESEND_REQ, "msg_resend_req") \
    X(MT_TL_ID_MSGS_STATE_REQ, "msgs_state_req") \
    X(MT_TL_ID_MSGS_STATE_INFO, "msgs_state_info") \
    X(MT_TL_ID_MSGS_ALL_INFO, "msgs_all_info") \
    X(MT_TL_ID_MSG_DETAILED_INFO, "msg_detailed_info") \
    X(MT_TL_ID_MSG_NEW_DETAILED_INFO, "msg_new_detailed_info") \
    X(MT_TL_ID_DESTROY_AUTH_KEY_OK, "destroy_auth_key_ok") \
    X(MT_TL_ID_DESTROY_AUTH_KEY_NONE, "destroy_auth_key_none") \
    X(MT_TL_ID_DESTROY_AUTH_KEY_FAIL, "destroy_auth_key_fail") \
    X(MT_TL_ID_HTTP_WAIT, "http_wait") \
    X(MT_TL_ID_REQ_PQ_MULTI, "req_pq_multi") \
    X(MT_TL_ID_REQ_DH_PARAMS, "req_DH_params") \
    X(MT_TL_ID_SET_CLIENT_DH_PARAMS, "set_client_DH_params") \
    X(MT_TL_ID_RPC_DROP_ANSWER, "rpc_drop_answer") \
    X(MT_TL_ID_GET_FUTURE_SALTS, "get_future_salts") \
    X(MT_TL_ID_PING, "ping") \
    X(MT_TL_ID_PING_DELAY_DISCONNECT, "ping_delay_disconnect") \
    X(MT_TL_ID_DESTROY_SESSION, "destroy_session") \
    X(MT_TL_ID_DESTROY_AUTH_KEY, "destroy_auth_key") \
    X(MT_TL_ID_P_Q_INNER_DATA, "p_q_inner_data") \
    X(MT_TL_ID_P_Q_INNER_DATA_TEMP, "p_q_inner_data_temp") \
    X(MT_TL_ID_SERVER_DH_PARAMS_FAIL, "server_DH_params_fail") \
    X(MT_TL_ID_REQ_PQ, "req_pq") \
    X(MT_TL_ID_TRUE, "true") \
    X(MT_TL_ID_BOOL_FALSE, "boolFalse") \
    X(MT_TL_ID_BOOL_TRUE, "boolTrue") \
    X(MT_TL_ID_ERROR, "error") \
    X(MT_TL_ID_NEAREST_DC, "nearestDc") \
    X(MT_TL_ID_INVOKE_AFTER_MSG, "invokeAfterMsg") \
    X(MT_TL_ID_INIT_CONNECTION, "initConnection") \
    X(MT_TL_ID_INVOKE_WITH_LAYER, "invokeWithLayer") \
    X(MT_TL_ID_INVOKE_WITHOUT_UPDATES, "invokeWithoutUpdates") \
    X(MT_TL_ID_HELP_GET_NEAREST_DC, "help.getNearestDc") \
    X(MT_TL_ID_MTLOAD_ECHO_RESULT, "mtload.echoResult") \
    X(MT_TL_ID_MTLOAD_ECHO, "mtload.echo") \
    X(MT_TL_ID_MTLOAD_ECHO_SIZED, "mtload.echoSized")

#endif
