'use strict';
const { ApiGatewayManagementApiClient, PostToConnectionCommand } = require('@aws-sdk/client-apigatewaymanagementapi');
const store = require('./store');

exports.handler = async (event) => {
  const { domainName, stage } = event.requestContext;
  const scheme = process.env.CALLBACK_SCHEME || 'https';
  const client = new ApiGatewayManagementApiClient({ endpoint: `${scheme}://${domainName}/${stage}` });
  const data = JSON.parse(event.body).data;

  const connections = await store.list();
  await Promise.all(connections.map(async (id) => {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: id, Data: data }));
    } catch (e) {
      if (e.$metadata && e.$metadata.httpStatusCode === 410) {
        console.log(`Found stale connection, deleting ${id}`);
        await store.remove(id);
      } else {
        throw e;
      }
    }
  }));
  return { statusCode: 200, body: 'Data sent.' };
};
