/**
 * Copy of golden-vectors.json "protobuf" (PROTOCOL.md companion file), so tests run without the spec
 * folder; golden-vectors.test.ts checks this copy against the spec file when it is available.
 */
export const GOLDEN_PROTOBUF = {
  v_payload_in: {
    hex: '0a15084012110a0f4d7920546573742056656869636c650a210815121d0a1b2833372e34313233373420532c203132322e3134353836372045290a1c086a12180a16312e31393230393238393535303738313235652d3035120b0880e2cfaa0610c096b1021a06424144313233',
    meaning:
      "Payload{data:[{key:VehicleName(64), string_value:'My Test Vehicle'},{key:Location(21), string_value:'(37.412374 S, 122.145867 E)'},{key:BrakePedalPos(106), string_value:'1.1920928955078125e-05'}], created_at:{seconds:1700000000,nanos:5000000}, vin:'BAD123'}",
  },
  'v_payload_out_for_device-1': {
    hex: '0a15084012110a0f4d7920546573742056656869636c650a18081512143a120940dcd5abc8b442c01133a48ae255895e400a0d086a12090a07302e3030303031120b0880e2cfaa0610c096b1021a086465766963652d31',
    meaning:
      "after server transforms for cert device id 'device-1': vin overwritten, Location string parsed to location_value{-37.412374,122.145867}, scientific string rewritten to '0.00001'",
  },
  v_payload_out_json:
    '{"data":[{"key":"VehicleName","value":{"stringValue":"My Test Vehicle"}},{"key":"Location","value":{"locationValue":{"latitude":-37.412374,"longitude":122.145867}}},{"key":"BrakePedalPos","value":{"stringValue":"0.00001"}}],"createdAt":"2023-11-14T22:13:20.005Z","vin":"device-1","isResend":false}',
  alerts_in: {
    hex: '0a140a056e616d6531120201021a0708c182f0ad9f311a0178',
    meaning: "VehicleAlerts{alerts:[{name:'name1', audiences:[Customer,Service], started_at:{seconds:1692044886337}}], vin:'x'}",
  },
  'alerts_out_for_device-1': {
    hex: '0a190a056e616d6531120201021a0c08d69ceaa60610c0ecd8a0011a086465766963652d31',
    meaning: 'started_at re-interpreted as milliseconds -> {seconds:1692044886,nanos:337000000}; vin overwritten',
  },
  connectivity_example: {
    hex: '0a086465766963652d31122436626137623831302d396461642d313164312d383062342d3030633034666434333063381801220b0880e2cfaa0610959aef3a2a0477696669',
    meaning:
      "VehicleConnectivity{vin:'device-1', connection_id:'6ba7b810-9dad-11d1-80b4-00c04fd430c8', status:CONNECTED, created_at:{seconds:1700000000,nanos:123456789}, network_interface:'wifi'}",
    json: '{"vin":"device-1","connectionId":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","status":"CONNECTED","createdAt":"2023-11-14T22:13:20.123456789Z","networkInterface":"wifi"}',
  },
} as const;
