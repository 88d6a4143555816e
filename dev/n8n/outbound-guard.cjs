// Preloaded into n8n (`--require`, via NODE_OPTIONS, so its task runner gets it too) by the dev
// and e2e scripts when N8N_OUTBOUND_LOG is set: every TCP connection n8n starts to a host outside
// the loopback range is appended to that file as one JSON line {pid, host, port, stack}.
// It only records; the connection proceeds (and fails: this machine reaches no such host).
'use strict';
const fs = require('node:fs');
const net = require('node:net');

const file = process.env.N8N_OUTBOUND_LOG;
if (file) {
	const loopback = new net.BlockList();
	loopback.addSubnet('127.0.0.0', 8);
	loopback.addAddress('::1', 'ipv6');
	const isLoopback = (host) => {
		const h = String(host ?? '')
			.toLowerCase()
			.replace(/^\[|\]$/g, '');
		if (h === '' || h === 'localhost') return true; // no host: localhost
		const family = net.isIP(h);
		return family !== 0 && loopback.check(h, family === 6 ? 'ipv6' : 'ipv4');
	};
	const record = (host, port) => {
		const stack = (new Error().stack || '')
			.split('\n')
			.slice(3, 9)
			.map((l) => l.trim());
		try {
			fs.appendFileSync(
				file,
				JSON.stringify({ pid: process.pid, host, port, time: new Date().toISOString(), stack }) +
					'\n',
			);
		} catch {
			// never let the guard break n8n
		}
	};
	const original = net.Socket.prototype.connect;
	net.Socket.prototype.connect = function connect(...args) {
		try {
			let options = args[0];
			if (Array.isArray(options)) options = options[0]; // internal normalized form
			let host;
			let port;
			if (options && typeof options === 'object') {
				if (options.path === undefined) {
					host = options.host ?? options.hostname;
					port = options.port;
				}
			} else if (
				typeof options === 'number' ||
				(typeof options === 'string' && /^\d+$/.test(options))
			) {
				port = options;
				host = typeof args[1] === 'string' ? args[1] : undefined;
			}
			if (port !== undefined && !isLoopback(host)) record(host, port);
		} catch {
			// ignore
		}
		return original.apply(this, args);
	};
}
