package session

// StoreKey is storeKey, for the black-box tests.
var StoreKey = storeKey
