'use strict';
const store = require('./store');

exports.handler = async (event) => {
  try {
    await store.remove(event.requestContext.connectionId);
  } catch (err) {
    return { statusCode: 500, body: 'Failed to disconnect: ' + err.message };
  }
  return { statusCode: 200, body: 'Disconnected.' };
};
