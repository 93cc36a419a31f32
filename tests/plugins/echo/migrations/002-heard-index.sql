create index plugin_echo_heard_ticket_idx on plugin_echo_heard (ticket_id, seq);
