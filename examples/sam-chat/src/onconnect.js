'use strict';
const store = require('./store');

exports.handler = async (event) => {
  try {
    await store.add(event.requestContext.connectionId);
  } catch (err) {
    return { statusCode: 500, body: 'Failed to connect: ' + err.message };
  }
  return { statusCode: 200, body: 'Connected.' };
};
