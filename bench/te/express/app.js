// The Express peer of Anode's TechEmpower-style suite (bench/run): Express and
// node-postgres, one worker per CPU this process may run on, through cluster.
//
//   PORT=8082 DATABASE_URL=postgres://postgres@127.0.0.1:5432/anode_bench node app.js
'use strict';

const cluster = require('node:cluster');
const os = require('node:os');

const worldRows = 10000;

if (cluster.isPrimary) {
  // availableParallelism follows the CPU affinity mask (taskset), so a server
  // pinned to one core runs one worker.
  const workers = Number(process.env.WORKERS) || os.availableParallelism();
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (signal !== 'SIGTERM' && code !== 0) {
      console.error(`worker ${worker.process.pid} exited (${signal || code})`);
      process.exitCode = 1;
    }
  });
  process.on('SIGTERM', () => {
    for (const id in cluster.workers) cluster.workers[id].kill('SIGTERM');
  });
} else {
  const express = require('express');
  const { Pool } = require('pg');

  const pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.POOL_SIZE) || 16,
  });
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((req, res, next) => {
    res.setHeader('Server', 'Express');
    next();
  });

  const randomId = () => Math.floor(Math.random() * worldRows) + 1;
  const count = (value) => {
    const n = Number.parseInt(value, 10);
    if (!Number.isInteger(n) || n < 1) return 1;
    return Math.min(n, 500);
  };
  const selectWorld = {
    name: 'world',
    text: 'SELECT id, randomnumber FROM world WHERE id = $1',
  };
  const getWorld = async () => {
    const { rows } = await pool.query({ ...selectWorld, values: [randomId()] });
    return { id: rows[0].id, randomNumber: rows[0].randomnumber };
  };
  const escapeHTML = (s) =>
    s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const fortunesPage = (fortunes) =>
    '<!DOCTYPE html>\n<html>\n<head><title>Fortunes</title></head>\n<body>\n<table>\n<tr><th>id</th><th>message</th></tr>\n' +
    fortunes.map((f) => `<tr><td>${f.id}</td><td>${escapeHTML(f.message)}</td></tr>\n`).join('') +
    '</table>\n</body>\n</html>\n';
  const cache = new Map();

  app.get('/plaintext', (req, res) => {
    res.type('text/plain').send('Hello, World!');
  });

  app.get('/json', (req, res) => {
    res.json({ message: 'Hello, World!' });
  });

  app.get('/db', async (req, res, next) => {
    try {
      res.json(await getWorld());
    } catch (err) {
      next(err);
    }
  });

  app.get('/queries', async (req, res, next) => {
    try {
      const n = count(req.query.queries);
      res.json(await Promise.all(Array.from({ length: n }, getWorld)));
    } catch (err) {
      next(err);
    }
  });

  app.get('/fortunes', async (req, res, next) => {
    try {
      const { rows } = await pool.query({ name: 'fortunes', text: 'SELECT id, message FROM fortune' });
      rows.push({ id: 0, message: 'Additional fortune added at request time.' });
      rows.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
      res.type('html').send(fortunesPage(rows));
    } catch (err) {
      next(err);
    }
  });

  app.get('/updates', async (req, res, next) => {
    try {
      const n = count(req.query.queries);
      const worlds = await Promise.all(Array.from({ length: n }, getWorld));
      for (const w of worlds) w.randomNumber = randomId();
      // One statement, rows in key order; an id drawn twice keeps its last number.
      const last = new Map();
      for (const w of worlds) last.set(w.id, w.randomNumber);
      const ids = [...last.keys()].sort((a, b) => a - b);
      await pool.query({
        name: 'updates',
        text: 'UPDATE world SET randomnumber = v.r FROM (SELECT unnest($1::int[]) AS id, unnest($2::int[]) AS r) AS v WHERE world.id = v.id',
        values: [ids, ids.map((id) => last.get(id))],
      });
      res.json(worlds);
    } catch (err) {
      next(err);
    }
  });

  app.get('/cached-queries', async (req, res, next) => {
    try {
      const n = count(req.query.count);
      const ids = Array.from({ length: n }, randomId);
      const missing = [...new Set(ids.filter((id) => !cache.has(id)))];
      if (missing.length > 0) {
        const { rows } = await pool.query('SELECT id, randomnumber FROM world WHERE id = ANY($1::int[])', [missing]);
        for (const r of rows) cache.set(r.id, { id: r.id, randomNumber: r.randomnumber });
      }
      res.json(ids.map((id) => cache.get(id)));
    } catch (err) {
      next(err);
    }
  });

  app.use((err, req, res, next) => {
    console.error(err);
    res.status(500).type('text/plain').send('Internal Server Error');
  });

  app.listen(Number(process.env.PORT) || 8082, process.env.HOST || '127.0.0.1');
}
