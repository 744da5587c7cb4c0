// The training-jobs queue: Standard tier (duplicate detection needs it), local (SAS) auth disabled, duplicate detection
// on from the start (it cannot be turned on later), a lock long enough for the job to renew, dead-lettering.

@description('Namespace name.')
param name string

@description('Region.')
param location string

@description('Tags for every resource.')
param tags object

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: 'training-jobs'
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'P1D'
    lockDuration: 'PT5M'
    maxDeliveryCount: 3
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P1D'
  }
}

output id string = namespace.id
output name string = namespace.name
output queueId string = queue.id
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
