// The connections store: one empty file per open connection, in a
// directory every function of the app shares (there is no DynamoDB here;
// on AWS the original app keeps them in a table).
'use strict';
const fs = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');

const dir = process.env.CONNECTIONS_DIR || path.join(os.tmpdir(), 'sam-chat-connections');

exports.add = async (id) => {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, encodeURIComponent(id)), '');
};

exports.remove = async (id) => {
  await fs.rm(path.join(dir, encodeURIComponent(id)), { force: true });
};

exports.list = async () => {
  try {
    return (await fs.readdir(dir)).map(decodeURIComponent);
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
};
