module github.com/langganan/langganan/adapters/fakemidtrans

go 1.26.8
